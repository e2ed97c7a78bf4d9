"""`/api/client/questionnaires/<token>/`: the client's questionnaire by secret link (a headless site's form).
GET reads the questions (or, once answered, the answers); POST `{"answers": {<question id>: value}}` answers
it once (crm.questionnaires.submit_answers: a second answer, or one to a withdrawn questionnaire, is 409).
Another studio's host is 404."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from frontend_api.errors import ApiError
from frontend_api.idempotency import idempotent
from frontend_api.site import require_studio

from ..models import QuestionnaireRequest
from ..questionnaires import request_for_token, submit_answers


class QuestionnaireQuestionSerializer(serializers.Serializer):
    id = serializers.CharField()
    type = serializers.ChoiceField(choices=["short_text", "long_text", "choice", "date", "yes_no"])
    label = serializers.CharField()
    help = serializers.CharField()
    required = serializers.BooleanField()
    options = serializers.ListField(child=serializers.CharField(), help_text="The choices of a `choice` question.")


class QuestionnaireAnswerSerializer(serializers.Serializer):
    question = serializers.CharField(source="id")
    label = serializers.CharField()
    type = serializers.CharField()
    answer = serializers.CharField(source="text", help_text="The answer as text (a date as 12 September 2027).")


class ClientQuestionnaireSerializer(serializers.ModelSerializer):
    questions = QuestionnaireQuestionSerializer(many=True)
    answers = QuestionnaireAnswerSerializer(many=True)
    client = serializers.SerializerMethodField()
    studio = serializers.SerializerMethodField()

    class Meta:
        model = QuestionnaireRequest
        fields = [
            "title",
            "intro",
            "client",
            "studio",
            "questions",
            "sent_at",
            "answered_at",
            "withdrawn_at",
            "answers",
        ]
        extra_kwargs = {"withdrawn_at": {"help_text": "Set when the studio withdrew it: it takes no answers (409)."}}

    def get_client(self, request) -> dict:
        return {"name": request.client.name}

    def get_studio(self, request) -> dict:
        return {"name": request.studio.name}


class QuestionnaireAnswersSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="Question id → answer: text, a choice's option, a date as YYYY-MM-DD, or true/false for yes/no."
    )


def questionnaire_for(request, token: str) -> QuestionnaireRequest:
    found = request_for_token(require_studio(request), token)
    if found is None:
        raise ApiError("not_found", "This questionnaire link is not valid. Ask the studio for a new one.", 404)
    return found


class QuestionnaireView(APIView):
    """The client's questionnaire: read it, then answer it once."""

    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "questionnaires"

    @extend_schema(summary="Read a questionnaire by its secret link", responses={200: ClientQuestionnaireSerializer})
    def get(self, request, token):
        return Response(ClientQuestionnaireSerializer(questionnaire_for(request, token)).data)

    @extend_schema(
        summary="Answer a questionnaire (once)",
        request=QuestionnaireAnswersSerializer,
        responses={200: ClientQuestionnaireSerializer},
    )
    @idempotent
    def post(self, request, token):
        questionnaire_request = questionnaire_for(request, token)
        serializer = QuestionnaireAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        # A DomainError (an invalid or repeated answer) answers in the one error shape (frontend_api.errors).
        submit_answers(questionnaire_request, serializer.validated_data["answers"])
        return Response(ClientQuestionnaireSerializer(questionnaire_for(request, token)).data)
