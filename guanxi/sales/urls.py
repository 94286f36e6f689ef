from guanxi.sales.views import activities, forecast, leads, opportunities, tasks

app_name = "sales"
urlpatterns = [*leads.urls, *opportunities.urls, *activities.urls, *tasks.urls,
               *forecast.urls]
