"""accounts.permissions: who sees which plans, activities, assignments and units."""
import pytest

from accounts import permissions as perms
from directory.models import Unit
from plans.models import Activity, Assignment, Plan


@pytest.fixture
def world(province, other_province, unit_a, unit_b):
    """Two plans in `province`: one assigns unit_a, the other only unit_b; one plan elsewhere."""
    p1 = Plan.objects.create(province=province, title="Kế hoạch A")
    p2 = Plan.objects.create(province=province, title="Kế hoạch B")
    p3 = Plan.objects.create(province=other_province, title="Kế hoạch tỉnh khác")
    far_unit = Unit.objects.create(name="Sở Tài chính", province=other_province)
    a1 = Activity.objects.create(plan=p1, ref="1", title="Hoạt động 1")
    a2 = Activity.objects.create(plan=p2, ref="1", title="Hoạt động 2")
    a3 = Activity.objects.create(plan=p3, ref="1", title="Hoạt động 3")
    Assignment.objects.create(activity=a1, unit=unit_a, role="lead")
    Assignment.objects.create(activity=a1, unit=unit_b, role="support")
    Assignment.objects.create(activity=a2, unit=unit_b, role="lead")
    Assignment.objects.create(activity=a3, unit=far_unit, role="lead")
    return {"p1": p1, "p2": p2, "p3": p3, "a1": a1, "a2": a2, "far_unit": far_unit}


def test_officer_and_leader_see_their_province(world, officer, leader):
    for user in (officer, leader):
        assert set(perms.visible_plans(user)) == {world["p1"], world["p2"]}
        assert set(perms.visible_activities(user)) == {world["a1"], world["a2"]}
        assert perms.visible_assignments(user).count() == 3
        assert world["far_unit"] not in perms.visible_units(user)


def test_reporter_sees_only_its_units_work(world, reporter, unit_a, unit_b):
    assert list(perms.visible_plans(reporter)) == [world["p1"]]
    assert list(perms.visible_activities(reporter)) == [world["a1"]]
    # the plan is shared with unit_b, but unit_b's assignment stays hidden
    assert [a.unit for a in perms.visible_assignments(reporter)] == [unit_a]
    assert list(perms.visible_units(reporter)) == [unit_a]


def test_other_reporter_never_sees_unit_a(world, other_reporter, unit_a):
    assert unit_a not in perms.visible_units(other_reporter)
    assert not perms.visible_assignments(other_reporter).filter(unit=unit_a).exists()


def test_outsider_and_other_officer_see_nothing_here(world, outsider, other_officer, province):
    assert not perms.visible_plans(outsider).exists()
    assert not perms.visible_units(outsider).exists()
    assert list(perms.visible_plans(other_officer)) == [world["p3"]]


def test_only_officers_of_the_province_edit(officer, leader, reporter, other_officer, province):
    assert perms.can_edit_plans(officer, province.pk)
    for user in (leader, reporter, other_officer):
        assert not perms.can_edit_plans(user, province.pk)
