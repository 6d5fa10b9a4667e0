from django.urls import path

from . import views

app_name = "quotes"

urlpatterns = [
    path("", views.QuoteListView.as_view(), name="quote-list"),
    path("<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("<int:pk>/approve-margin/", views.QuoteApproveMarginView.as_view(), name="quote-approve-margin"),
    path("<int:pk>/apply-accuracy/", views.QuoteApplyAccuracyView.as_view(), name="quote-apply-accuracy"),
    path("<int:pk>/<slug:name>/", views.QuoteActionView.as_view(), name="quote-action"),
]
