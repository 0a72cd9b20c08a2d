"""Training toolkit for the portrait-farm starter motion model. The pack contract is models/SPEC.md."""
