"""Automated calls: Twilio and its TwiML scripts."""
