app_name = "sales"

urlpatterns = []
