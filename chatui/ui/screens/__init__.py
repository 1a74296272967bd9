"""Screens and modal dialogs of the chatui app."""
