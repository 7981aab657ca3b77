"""Accessibility checks on rendered HTML that need no browser: every form control has a name a
screen reader can say (a <label> around it or for it, aria-label, aria-labelledby or title), every
image has an alt text (empty only when marked decorative with role="presentation"), and the page
title is text, not markup."""

from __future__ import annotations

from html.parser import HTMLParser

UNNAMED_INPUTS = {"hidden", "submit", "button", "image", "reset"}


class _Walk(HTMLParser):
    def __init__(self):
        super().__init__()
        self.in_label = 0
        self.label_for: set[str] = set()
        self.controls: list[tuple[str, dict, bool]] = []  # tag, attrs, inside a label
        self.images: list[dict] = []
        self.in_title = False
        self.title_tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if self.in_title:
            self.title_tags.append(tag)
        if tag == "title":
            self.in_title = True
        elif tag == "label":
            self.in_label += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        elif tag in ("input", "select", "textarea") and not (tag == "input" and a.get("type", "text") in UNNAMED_INPUTS):
            self.controls.append((tag, a, self.in_label > 0))
        elif tag == "img":
            self.images.append(a)

    def handle_endtag(self, tag):
        if tag == "title":
            self.in_title = False
        if tag == "label" and self.in_label:
            self.in_label -= 1


def problems(html: str) -> list[str]:
    walk = _Walk()
    walk.feed(html)
    found = []
    for tag, a, inside in walk.controls:
        named = inside or a.get("aria-label") or a.get("aria-labelledby") or a.get("title") or (
            a.get("id") and a["id"] in walk.label_for)
        if not named:
            found.append(f"<{tag} name={a.get('name', '')!r}> has no label")
    for a in walk.images:
        if not a.get("alt") and a.get("role") != "presentation":
            found.append(f"<img src={a.get('src', '')!r}> has no alt text")
    if walk.title_tags:
        found.append(f"the page title holds markup: {walk.title_tags}")
    return found
