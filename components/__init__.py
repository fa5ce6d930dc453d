"""Reusable Streamlit pieces; pages compose these and the engine (papertrail/) never imports them."""
