"""KPI and hot-spot API (KPI engineer): 三率 and the loop's figures per region / unit /
category / month, their Excel export, the weights, and the 未诉先办 hot spots. Thin: the
query serializer validates, workorders.kpi / hotspots compute (scoped through access)."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.mixins import TokenScope
from workorders.kpi import hotspots, services
from workorders.kpi import selectors as kpi

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- serializers ------------------------------------------------------------------------------


class KpiQuerySerializer(serializers.Serializer):
    region = serializers.IntegerField(required=False, help_text=_("Region id (default: your own area)."))
    region_code = serializers.CharField(required=False, max_length=20, help_text=_("Or the region's code (行政区划代码)"))
    group = serializers.ChoiceField(choices=list(kpi.GROUPS), default="region",
                                    help_text=_("region: the region's children; unit: handling units; "
                                                "category: 大类; month"))
    month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, help_text=_("YYYY-MM (instead of start/end)"))
    start = serializers.DateField(required=False, help_text=_("First report date (default: 30 days before the end)"))
    end = serializers.DateField(required=False, help_text=_("Last report date (default: today)"))


class KpiRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named "label" (DRF pops it)
    orders = serializers.IntegerField(help_text=_("Scored orders (reported in the period, appeals excluded)"))
    closed = serializers.IntegerField()
    closed_on_time = serializers.IntegerField()
    handled = serializers.IntegerField()
    reworked = serializers.IntegerField()
    dispatched = serializers.IntegerField()
    extended = serializers.IntegerField()
    parked = serializers.IntegerField(help_text=_("挂账: open and parked"))
    overdue = serializers.IntegerField(help_text=_("Open, overdue now, not parked"))
    open = serializers.IntegerField()
    appealed = serializers.IntegerField(help_text=_("Excluded from scoring by an approved appeal"))
    followed_up = serializers.IntegerField()
    contacted_in_time = serializers.IntegerField()
    solved = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    basic = serializers.IntegerField()
    unsatisfied = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text=_("响应率 (0–1)"))
    resolution_rate = serializers.FloatField(allow_null=True, help_text=_("解决率 (0–1)"))
    satisfaction_rate = serializers.FloatField(allow_null=True, help_text=_("满意率 (0–1)"))
    score = serializers.FloatField(allow_null=True, help_text=_("Weighted 三率 score (0–100)"))
    closure_rate = serializers.FloatField(allow_null=True, help_text=_("结案率"))
    on_time_closure_rate = serializers.FloatField(allow_null=True, help_text=_("按期结案率"))
    rework_rate = serializers.FloatField(allow_null=True, help_text=_("返工率"))
    extension_rate = serializers.FloatField(allow_null=True, help_text=_("延期率"))
    median_work_hours = serializers.FloatField(allow_null=True, help_text=_("Median reported → closed, work hours"))
    mean_work_hours = serializers.FloatField(allow_null=True, help_text=_("Mean reported → closed, work hours"))
    median_hours = serializers.FloatField(allow_null=True, help_text=_("Median reported → closed, clock hours"))
    mean_hours = serializers.FloatField(allow_null=True, help_text=_("Mean reported → closed, clock hours"))


class _RegionRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _PeriodSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()


class WeightsSerializer(serializers.Serializer):
    response = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)
    resolution = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)
    satisfaction = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1)
    basic_score = serializers.DecimalField(max_digits=4, decimal_places=3, min_value=0, max_value=1,
                                           help_text=_("Score of 基本满意 (满意 = 1, 不满意 = 0)"))


class KpiReportSerializer(serializers.Serializer):
    region = _RegionRef()
    period = _PeriodSerializer()
    group = serializers.CharField()
    weights = WeightsSerializer()
    total = KpiRowSerializer()
    rows = KpiRowSerializer(many=True)


class HotspotQuerySerializer(serializers.Serializer):
    region = serializers.IntegerField(required=False)
    region_code = serializers.CharField(required=False, max_length=20)
    weeks = serializers.IntegerField(required=False, min_value=3, max_value=52, help_text=_("Look back (weeks)"))
    min_count = serializers.IntegerField(required=False, min_value=2, max_value=1000)
    factor = serializers.FloatField(required=False, min_value=1, max_value=100,
                                    help_text=_("Rising: last fortnight ≥ factor × the earlier fortnightly rate"))


class _CategoryRef(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class _PlaceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("b<building id>, c<lon cell>:<lat cell> (~100 m) or g<grid id>"))
    kind = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    grid = serializers.CharField(required=False)
    lon = serializers.FloatField(allow_null=True, required=False)
    lat = serializers.FloatField(allow_null=True, required=False)


class ClusterSerializer(serializers.Serializer):
    category = _CategoryRef()
    place = _PlaceSerializer()
    band = serializers.CharField()
    band_label = serializers.CharField()
    count = serializers.IntegerField()
    weeks = serializers.IntegerField(help_text=_("Different weeks it happened in"))
    open = serializers.IntegerField()
    last = serializers.DateTimeField()


class RisingSerializer(serializers.Serializer):
    category = _CategoryRef()
    place = _PlaceSerializer()
    recent = serializers.IntegerField(help_text=_("Orders in the last two weeks"))
    before = serializers.IntegerField(help_text=_("Orders in the weeks before"))
    rate_before = serializers.FloatField(help_text=_("Orders per fortnight before"))
    last = serializers.DateTimeField()


class HotspotsSerializer(serializers.Serializer):
    region = _RegionRef()
    weeks = serializers.IntegerField()
    min_count = serializers.IntegerField()
    factor = serializers.FloatField()
    clusters = ClusterSerializer(many=True)
    rising = RisingSerializer(many=True)


# --- views ------------------------------------------------------------------------------------


def _report_args(request):
    q = KpiQuerySerializer(data=request.query_params, context={"request": request})
    q.is_valid(raise_exception=True)
    d = q.validated_data
    region = kpi.resolve_region(request.user, d.get("region"), code=d.get("region_code"))
    period = kpi.parse_period(start=d.get("start"), end=d.get("end"), month=d.get("month"))
    return {"group": d["group"], "region": region, "period": period}


class KpiView(APIView):
    """三率 (响应率, 解决率, 满意率, weighted score) and 结案率, 按期结案率, 返工率, 延期率, 挂账,
    median handling time in work hours — for your scope, grouped as asked."""

    permission_classes = [IsAuthenticated, TokenScope]

    @extend_schema(parameters=[KpiQuerySerializer], responses=KpiReportSerializer, operation_id="orders_kpi")
    def get(self, request):
        rep = kpi.report(request.user, **_report_args(request))
        return Response(KpiReportSerializer(rep.as_dict()).data)


class KpiExportView(APIView):
    """The same figures as an Excel workbook (audited)."""

    permission_classes = [IsAuthenticated, TokenScope]

    @extend_schema(parameters=[KpiQuerySerializer], operation_id="orders_kpi_export",
                   responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description=".xlsx")})
    def get(self, request):
        args = _report_args(request)
        body = services.export_xlsx(request.user, **args)
        response = HttpResponse(body, content_type=XLSX)
        name = f"kpi-{args['group']}-{args['period'].start:%Y%m%d}-{args['period'].end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class KpiWeightsView(APIView):
    """The weights of the three rates and the score of 基本满意; the district changes them."""

    permission_classes = [IsAuthenticated, TokenScope]

    @extend_schema(responses=WeightsSerializer, operation_id="orders_kpi_weights")
    def get(self, request):
        return Response(WeightsSerializer(kpi.weights_read(request.user).as_dict()).data)

    @extend_schema(request=WeightsSerializer, responses=WeightsSerializer, operation_id="orders_kpi_weights_update")
    def put(self, request):
        ser = WeightsSerializer(data=request.data, context={"request": request})
        ser.is_valid(raise_exception=True)
        services.kpi_weights_update(actor=request.user, **ser.validated_data)
        return Response(WeightsSerializer(kpi.current_weights().as_dict()).data)


class HotspotsView(APIView):
    """未诉先办: recurring category × place × time-of-day clusters and rising trends."""

    permission_classes = [IsAuthenticated, TokenScope]

    @extend_schema(parameters=[HotspotQuerySerializer], responses=HotspotsSerializer, operation_id="orders_hotspots")
    def get(self, request):
        q = HotspotQuerySerializer(data=request.query_params, context={"request": request})
        q.is_valid(raise_exception=True)
        d = dict(q.validated_data)
        region, code = d.pop("region", None), d.pop("region_code", None)
        params = hotspots.parse_params(**d)
        data = hotspots.hotspots(request.user, region_id=region, region_code=code, params=params)
        return Response(HotspotsSerializer(data).data)
