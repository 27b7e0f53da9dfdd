"""Cart, checkout, orders and stock (DOMAIN.md "Orders and payment")."""
