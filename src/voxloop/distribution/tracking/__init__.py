"""An invitation moving forward: delivery events, opens, clicks, unsubscribes."""
