"""The FastAPI receiver's tests: sync and async, against salesplay-mock's pytest plugin."""

from app import create_app


def test_stock_follows_each_sale(salesplay):
    stock = {}
    url = salesplay.serve(create_app(stock))  # on uvicorn, for this test
    salesplay.register(url + "/webhooks/salesplay", "inventory_levels.update")
    for _ in range(3):
        [receipt, levels] = salesplay.sell()
        salesplay.assert_delivered_once(levels)
        for level in levels["payload"]["inventory_levels"]:
            assert stock[level["shop_id"], level["product_id"]] == level["in_stock"]


async def test_in_an_async_test(salesplay_async):
    stock = {}
    url = await salesplay_async.serve_async(create_app(stock))
    await salesplay_async.register(url + "/webhooks/salesplay", "inventory_levels.update")
    [receipt, levels] = await salesplay_async.sell()
    await salesplay_async.assert_delivered_once(levels)
    assert len(stock) == len(levels["payload"]["inventory_levels"])
