from ninja import Router

router = Router(tags=["family"])
