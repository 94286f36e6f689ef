"""The textbook DRF list and detail: ModelSerializer, generic views, cursor pagination."""

from rest_framework import generics, pagination, serializers

from peer_app.models import Account, Team, User


class UserRef(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__")

    class Meta:
        model = User
        fields = ["id", "username", "name"]


class TeamRef(serializers.ModelSerializer):
    class Meta:
        model = Team
        fields = ["id", "name"]


class CustomerSerializer(serializers.ModelSerializer):
    owner = UserRef(read_only=True)
    team = TeamRef(read_only=True)
    tags = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")

    class Meta:
        model = Account
        fields = ["id", "kind", "name", "name_en", "industry", "size", "source", "phone",
                  "email", "owner", "team", "tags", "approval", "standing", "in_pool",
                  "completeness", "last_follow_up_at", "created_at", "updated_at", "version"]


class Cursor(pagination.CursorPagination):
    ordering = ("-updated_at", "-id")
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200


class CustomerList(generics.ListAPIView):
    serializer_class = CustomerSerializer
    pagination_class = Cursor
    queryset = (Account.objects.filter(is_active=True).select_related("owner", "team")
                .prefetch_related("tags"))


class CustomerDetail(generics.RetrieveAPIView):
    serializer_class = CustomerSerializer
    queryset = (Account.objects.filter(is_active=True).select_related("owner", "team")
                .prefetch_related("tags"))
