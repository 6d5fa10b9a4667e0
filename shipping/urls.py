app_name = "shipping"

urlpatterns = []
