"""Surveys in a place: QR codes, printed posters and kiosk devices."""
