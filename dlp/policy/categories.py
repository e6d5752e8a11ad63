"""The data categories (CONTRACT.md section 6): what an item says about whom, as authorizations name it."""

from __future__ import annotations

STUDENT_CATEGORIES = ("student_name", "student_id", "demographics", "student_contact", "parent_contact",
                      "special_indicator", "conduct", "attendance", "assessment", "transcript", "enrollment",
                      "schedule", "student_work")
STAFF_CATEGORIES = ("employee_name", "employee_id", "compensation", "tax_id")
ANY_PERSON_CATEGORIES = ("ssn", "financial_account", "drivers_license", "date_of_birth", "credentials")
CATEGORIES = STUDENT_CATEGORIES + STAFF_CATEGORIES + ANY_PERSON_CATEGORIES
