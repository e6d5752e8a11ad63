"""ICS and VCF: the properties that name people, unfolded and labelled; BDAY reads as a birth date."""

from __future__ import annotations

from tests.extract.conftest import part


def test_event_summary_description_and_people(extract):
    text = part(extract("meeting.ics"), "event 1").text.splitlines()
    assert text[0] == "summary: IEP meeting for Jordan Alvarez"
    # Folded lines are joined and escaped commas and newlines decoded.
    assert "description: Bring the evaluation. Student SASID 1012345678, SSN 523-47-1186." in text
    assert "Guardian phone 617-555-0142." in text
    assert "organizer: Dana Whitfield <d.whitfield@example.org>" in text
    assert "attendee: Maria Alvarez <m.alvarez@example.org>" in text
    assert not any("not kept" in line for line in text)


def test_contacts_with_birth_date_context_and_quoted_printable(extract):
    document = extract("contacts.vcf")
    first = part(document, "contact 1").text.splitlines()
    assert first == [
        "name: Priya Natarajan",
        "phone: 617-555-0178",
        "email: r.natarajan@example.com",
        "address: 12 Elm Street, Springfield, MA, 01103, USA",
        "birth date: 2010-11-02",
    ]
    second = part(document, "contact 2").text.splitlines()
    assert second == ["name: Marcus O'Neill", "note: SSN 404-21-7753 guardian K. O'Neill", "phone: 617-555-0131"]


def test_text_outside_components_and_junk_lines_are_ignored(extract):
    document = extract("junk.ics", b"SUMMARY:outside\nBEGIN:VEVENT\n\x00\x01garbage\nEND:VEVENT\nEND:VEVENT\n")
    assert document.parts == ()
