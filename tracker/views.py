from django.http import HttpResponse
from django.shortcuts import get_object_or_404

from tracker.models import Agreement, Commitment, Party


def board(request):
    return HttpResponse("Ceasefire Commitment Tracker")


def commitment_detail(request, slug):
    commitment = get_object_or_404(Commitment.objects.public(), slug=slug)
    return HttpResponse(commitment.title)


def agreement_detail(request, slug):
    agreement = get_object_or_404(Agreement.objects.public(), slug=slug)
    return HttpResponse(agreement.title)


def party_detail(request, slug):
    party = get_object_or_404(Party.public(), slug=slug)
    return HttpResponse(party.name)
