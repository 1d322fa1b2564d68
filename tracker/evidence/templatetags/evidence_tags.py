from django import template

from tracker import public

register = template.Library()


@register.filter
def evidence(source) -> public.SourceEvidence:
    """``{% with evidence=source|evidence %}``: what readers are told of a source's copies."""
    return public.source_evidence(source)


@register.filter
def shared_files(record) -> list:
    """``{% for file in claim|shared_files %}``: its public files from the field."""
    return public.shared_files_of(record)
