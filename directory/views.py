from django.http import HttpResponse


def unit_list(request):
    return HttpResponse("")


def unit_detail(request, pk):
    return HttpResponse("")
