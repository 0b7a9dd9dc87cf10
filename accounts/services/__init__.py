"""The operations of the accounts app: plain functions with keyword arguments, one
transaction each, refusing with `accounts.errors.AccountError`.

- `customers`: linking a verified e-mail address's customer (and so its orders) to the
  account (`customer_claim`, `customers_claim_verified`), the account's customer.
- `profile`: the profile page's and the API's one rule (`profile_update`).
"""
