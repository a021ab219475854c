"""The record: which landed commits each report holds (and says so), and where each output's nightly record stands."""
