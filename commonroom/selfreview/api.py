from ninja import Router

router = Router(tags=["self-review"])
