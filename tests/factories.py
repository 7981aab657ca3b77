"""Factories for the core (governance). Each app keeps its own in tests/<app>/factories.py."""

import factory
from factory.django import DjangoModelFactory

from governance.models import Assignment, Department, Region, User


class RegionFactory(DjangoModelFactory[Region]):
    class Meta:
        model = Region

    level = "grid"
    name = factory.Sequence(lambda n: f"测试网格{n}")
    code = factory.Sequence(lambda n: f"T{n:08d}")


class DepartmentFactory(DjangoModelFactory[Department]):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Faker("name", locale="zh_CN")
    password = factory.django.Password("Linli@2026")


class AssignmentFactory(DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    user = factory.SubFactory(UserFactory)
