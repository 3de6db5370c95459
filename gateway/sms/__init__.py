"""SMS adapters: Twilio, OVHcloud and the embedded outbox."""
