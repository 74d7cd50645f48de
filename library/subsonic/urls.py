from django.urls import path, register_converter

from library.subsonic import views


class MethodConverter:
    """A Subsonic method name, with or without the ``.view`` suffix older clients append."""

    regex = r"[A-Za-z0-9]{1,64}(?:\.view)?"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(MethodConverter, "subsonic")

urlpatterns = [
    path("rest/<subsonic:method>", views.dispatch, name="subsonic"),
]
