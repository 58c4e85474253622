"""One module per entity; `ALL` is every pattern detector, in a stable order."""

from outguard.pii.detectors import (
    aba_routing,
    address,
    bank_account,
    credit_card,
    date_of_birth,
    email,
    iban,
    ip_address,
    person,
    phone,
    us_driver_license,
    us_ein,
    us_itin,
    us_passport,
    us_ssn,
)
from outguard.pii.detectors.base import PatternDetector

ALL: tuple[PatternDetector, ...] = (
    *us_ssn.DETECTORS,
    *us_itin.DETECTORS,
    *us_ein.DETECTORS,
    *credit_card.DETECTORS,
    *aba_routing.DETECTORS,
    *bank_account.DETECTORS,
    *iban.DETECTORS,
    *email.DETECTORS,
    *phone.DETECTORS,
    *date_of_birth.DETECTORS,
    *ip_address.DETECTORS,
    *us_driver_license.DETECTORS,
    *us_passport.DETECTORS,
    *address.DETECTORS,
    *person.DETECTORS,
)
