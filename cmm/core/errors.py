"""Error reports without personal data.

Django's error report (mailed to ADMINS, or rendered by any reporter using the default
filter) lists every POST value and, in its HTML form, the local variables of each frame.
On a form page those are what the user typed about a person. Outside debug, this filter
keeps their names and replaces every value; the report still names the page, the user,
the error and where in the code it happened.
"""

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class PersonalDataReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request: HttpRequest | None):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        cleansed = request.POST.copy()
        for name in cleansed:
            cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
