from django import forms


class DkfdsFormMixin:
    """Gives widgets the design system's classes, so templates render fields uniformly, and
    after a failed submit marks the invalid fields and puts the keyboard focus on the first
    one, so a keyboard or screen-reader user lands where the problem is."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-checkbox"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        focused = False
        for name, field in self.fields.items():
            if name in (self._errors or {}):
                field.widget.attrs["aria-invalid"] = "true"
                if not focused and not isinstance(field.widget, forms.HiddenInput):
                    field.widget.attrs["autofocus"] = True
                    focused = True
