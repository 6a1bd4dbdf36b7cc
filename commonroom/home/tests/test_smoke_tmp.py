import pytest
from django.urls import reverse


@pytest.mark.parametrize("persona", ["a1.head", "a1.teacher", "a1.tutor", "a1.learnerA1", "parent.two", "parent.barred", "la1.officer", "platform.admin", "nobody", "a1.senco"])
def test_home_renders(client, world, persona):
    client.force_login(world.users[persona])
    response = client.get("/")
    assert response.status_code == 200, response.content[:2000]
    text = response.content.decode()
    print(persona, len(text))


def test_profile(client, world):
    client.force_login(world.users["a1.head"])
    r = client.get(reverse("people:learner_detail", args=[world.learners["a1.learnerA1"].pk]))
    assert r.status_code == 200
    assert "Access barred" in r.content.decode()
    for url in ["/learners/", f"/groups/{world.groups['a1.maths'].pk}/", f"/institutions/{world.institutions['a1'].pk}/", f"/institutions/{world.institutions['a1'].pk}/learners/new/", "/account/", "/account/tokens/", "/account/add-child/", "/manage/roles/grant/", f"/institutions/{world.institutions['a1'].pk}/settings/"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:3000])
    client.force_login(world.users["platform.admin"])
    for url in ["/manage/", "/manage/accounts/", "/manage/institutions/new/", "/manage/authorities/new/", "/manage/roles/grant/"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.content[:3000])
