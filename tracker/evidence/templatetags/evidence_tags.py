from django import template

from tracker import public

register = template.Library()


@register.filter
def evidence(source) -> public.SourceEvidence:
    """``{% with evidence=source|evidence %}``: what readers are told of a source's copies."""
    return public.source_evidence(source)
