app_name = "marketing"
urlpatterns: list = []
