from django.http import HttpResponse


def plan_list(request):
    return HttpResponse("")


def upload(request):
    return HttpResponse("")


def review(request, pk):
    return HttpResponse("")


def plan_detail(request, pk):
    return HttpResponse("")


def activity_detail(request, pk):
    return HttpResponse("")
