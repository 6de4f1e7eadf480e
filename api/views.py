"""The partner API, version 1. Every endpoint goes through the same services as the pages;
none answers anything about a person."""

from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import Conflict
from api.idempotency import HEADER, idempotent
from api.parsers import MAX_BODY, PayloadTooLarge
from api.permissions import HasScope
from api.serializers import (
    DecisionRecordedSerializer,
    DecisionSubmitSerializer,
    ErrorSerializer,
    InquiryCreatedSerializer,
    InquiryStatusSerializer,
    InquirySubmitSerializer,
)
from cases import services as case_services
from cases.models import Assessment, Case
from cmm.audit import services as audit
from referrals import services as inquiry_services
from referrals.models import Channel, Inquiry, InquiryState
from stats.exports import published

FIRST_STATISTICS_YEAR = 2007


def _errors(description: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=description)


# Every endpoint can answer these; each view adds its own.
COMMON_ERRORS = {
    401: _errors("No valid API key (missing, unknown, revoked or expired: the same answer)."),
    403: _errors("The client lacks the scope of this endpoint."),
    429: _errors("Too many requests from this client; Retry-After says when to try again."),
}
POST_ERRORS = {
    400: _errors("Invalid input: every field's error; nothing was saved."),
    413: _errors("The body is larger than 64 KiB."),
    415: _errors("The body is not application/json."),
    422: _errors("The Idempotency-Key was used before with another request."),
}
IDEMPOTENCY = OpenApiParameter(
    HEADER,
    location=OpenApiParameter.HEADER,
    required=True,
    description="A key of the client's choosing (at most 200 characters), new for every "
    "request and the same for its retries: a retry gets the first answer and creates nothing.",
)


class PartnerView(APIView):
    """What every endpoint shares: the caller's language, the body limit, no caching."""

    permission_classes = [HasScope]
    scope = ""

    def initial(self, request, *args, **kwargs) -> None:
        # Partners choose by Accept-Language (Danish by default), not by the pages' rule
        # of Danish unless the switcher's cookie says otherwise.
        language = translation.get_language_from_request(request._request)
        translation.activate(language)
        request._request.LANGUAGE_CODE = language
        length = request.headers.get("Content-Length", "")
        if length.isdigit() and int(length) > MAX_BODY:
            raise PayloadTooLarge
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        add_never_cache_headers(response)
        response["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        return response


class InquiryCreate(PartnerView):
    scope = "inquiries:submit"

    @extend_schema(
        operation_id="submit_inquiry",
        summary="Submit a referral",
        description="Creates an inquiry as the hotline's form does: in the queue of "
        "untriaged inquiries, an urgent one in the urgent queue. Channel and caller type "
        "are the client's. Answers with the inquiry's reference only.",
        request=InquirySubmitSerializer,
        parameters=[IDEMPOTENCY],
        responses={201: InquiryCreatedSerializer, **POST_ERRORS, **COMMON_ERRORS},
    )
    def post(self, request) -> Response:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        serializer = InquirySubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        persons = data.pop("persons")
        client = request.auth
        data |= {
            "received_at": timezone.now(),
            "channel": Channel.API,
            "caller_type": client.partner_type,
            "caller_organisation": client.name,
        }
        inquiry = inquiry_services.inquiry_create(
            actor=request.user, data=data, persons=[dict(p) for p in persons]
        )
        return Response({"reference": inquiry.reference}, status=status.HTTP_201_CREATED)


STATUS_OF_STATE = {
    InquiryState.RECEIVED: "received",
    InquiryState.TRIAGED: "triaged",
    InquiryState.REFERRED: "referred",
    InquiryState.LINKED: "linked",
    InquiryState.CLOSED: "closed",
}


class InquiryStatus(PartnerView):
    scope = "inquiries:status"

    @extend_schema(
        operation_id="inquiry_status",
        summary="The status of a referral this client submitted",
        description="received, triaged, referred (for identification), linked (to a case "
        "CMM has) or closed with its reason code. Nothing about any person, and no case "
        "reference. Another client's inquiry is not found.",
        responses={
            200: InquiryStatusSerializer,
            404: _errors("No inquiry of this client has this reference."),
            **COMMON_ERRORS,
        },
    )
    def get(self, request, reference: str) -> Response:
        inquiry = Inquiry.objects.filter(
            reference__iexact=reference, created_by=request.user
        ).first()
        if inquiry is None:
            raise NotFound(_("Not found."))
        audit.record_view(request.user, inquiry)
        return Response(
            {
                "reference": inquiry.reference,
                "status": STATUS_OF_STATE[inquiry.state],
                "outcome": inquiry.close_reason or None,
            }
        )


class DecisionCreate(PartnerView):
    scope = "decisions:submit"

    @extend_schema(
        operation_id="submit_decision",
        summary="Submit a decision on an assessment",
        description="The deciding authority's decision on a person whose interview report "
        "CMM sent it, by the case reference in the report. Recorded as a decision typed by "
        "the contact person, marked as received through the API.",
        request=DecisionSubmitSerializer,
        parameters=[IDEMPOTENCY],
        responses={
            201: DecisionRecordedSerializer,
            404: _errors("No case has this reference."),
            409: _errors(
                "The case is not awaiting this authority's decision, or is decided already."
            ),
            **POST_ERRORS,
            **COMMON_ERRORS,
        },
    )
    def post(self, request) -> Response:
        return idempotent(request, lambda: self._create(request))

    def _create(self, request) -> Response:
        serializer = DecisionSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        client = request.auth
        case = Case.objects.filter(reference__iexact=data.pop("case_reference")).first()
        if case is None or case.anonymised_at is not None:
            raise NotFound(_("Not found."))
        # Another authority's case is refused before anything else is said of it.
        if case.assessing_authority != client.authority:
            raise Conflict(_("This case is not awaiting a decision by your authority."))
        if Assessment.objects.filter(case=case).exists():
            raise Conflict(_("This case is decided already."))
        if not case.is_awaiting_decision:
            raise Conflict(_("This case is not awaiting a decision by your authority."))
        data["received_via"] = client.name
        assessment = case_services.case_record_assessment(
            actor=request.user, case_id=case.pk, version=case.version, data=data
        )
        return Response(
            {"case_reference": case.reference, "outcome": assessment.outcome},
            status=status.HTTP_201_CREATED,
        )


class StatisticsYear(PartnerView):
    scope = "statistics:read"

    @extend_schema(
        operation_id="statistics_year",
        summary="The year's published statistics",
        description="The same JSON as `manage.py export_statistics` writes (the public "
        "variant when small counts are suppressed). Aggregates only.",
        responses={
            200: OpenApiResponse(description="The year's figures."),
            404: _errors("No such year."),
            **COMMON_ERRORS,
        },
    )
    def get(self, request, year: int) -> Response:
        if not FIRST_STATISTICS_YEAR <= year <= timezone.localdate().year:
            raise NotFound(_("Not found."))
        figures = published(year)
        audit.record_download(request.user, f"api:statistics-{year}.json")
        return Response(figures)


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    """Any other URL under /api/ (a mistyped path, a POST without its trailing slash): a
    404 in the API's error format, for every method, instead of Django's HTML page or a
    redirect a partner's system would not follow. It says nothing of any record."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []

    def initial(self, request, *args, **kwargs) -> None:
        translation.activate(translation.get_language_from_request(request._request))
        raise NotFound(_("Not found."))
