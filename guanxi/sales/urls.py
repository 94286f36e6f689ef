from guanxi.sales.views import activities, email, forecast, leads, opportunities, targets, tasks

app_name = "sales"
urlpatterns = [*leads.urls, *opportunities.urls, *activities.urls, *tasks.urls,
               *email.urls, *forecast.urls, *targets.urls]
