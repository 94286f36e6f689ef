from guanxi.orders.views import catalog, deals, expenses, fulfilment, quotes, receivables, reviews

app_name = "orders"
urlpatterns = [*catalog.urls, *quotes.urls, *deals.urls, *reviews.urls, *fulfilment.urls,
               *receivables.urls, *expenses.urls]
