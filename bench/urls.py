"""The real URLs plus the raw-SQL baselines under /bench/baseline/ (bench.settings only)."""

from django.urls import path

from mto.urls import handler403, handler404  # noqa: F401
from mto.urls import urlpatterns as real_urlpatterns

from . import baseline

urlpatterns = [
    *real_urlpatterns,
    path("bench/baseline/orders/", baseline.order_list),
    path("bench/baseline/jobs/", baseline.job_list),
    path("bench/baseline/floor/", baseline.floor_board),
    path("bench/baseline/ready-to-ship/", baseline.ready_to_ship),
]
urlpatterns += [
    path("bench/baseline/orders/<int:pk>/", baseline.order_detail),
    path("bench/baseline/jobs/<int:pk>/", baseline.job_detail),
]
