def test_missing_and_forbidden_pages_use_the_site_layout(client, world, settings) -> None:
    settings.DEBUG = False
    client.force_login(world.users["a1.teacher"])
    for url in ("/no-such-page/", f"/learners/{world.learners['b1.learnerA1'].pk}/"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "Page not found" in page and "govuk-header" in page and "Sign out" in page


def test_server_error_page_renders_without_a_request_context() -> None:
    from django.template.loader import get_template

    page = get_template("500.html").render({})
    assert "Sorry, there is a problem with the service" in page
