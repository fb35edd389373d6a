"""Locust users for benchmarks/load.py: the role mix of a province on a working day.

Read by `locust -f benchmarks/locustfile.py`; LOAD_USERS names the JSON of accounts load.py made,
LOAD_HOSTS the web servers (each user signs in on one and then uses both: the session lives in Redis),
LOAD_OUT where each process writes the cases it created and the transitions it applied.
"""
import json
import os
import random

from locust import HttpUser, between, events, task

ACCOUNTS = json.load(open(os.environ["LOAD_USERS"], encoding="utf-8"))
HOSTS = os.environ["LOAD_HOSTS"].split(",")
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "3,10").split(","))
LEDGER = {"created": [], "applied": [], "conflicts": 0}
ID_NUMBER = "11010519491231002X"


def pick(role):
    return random.choice(ACCOUNTS[role])


class Person(HttpUser):
    abstract = True
    wait_time = between(*THINK)
    host = HOSTS[0]
    role = ""

    def url(self, path):
        return random.choice(HOSTS) + path

    def on_start(self):
        self.me = pick(self.role)
        self.client.get(self.url("/accounts/login/"), name="登录页")
        token = self.client.cookies.get("csrftoken")
        with self.client.post(self.url("/accounts/login/"), name="登录",
                              data={"username": self.me["username"], "password": self.me["password"],
                                    "csrfmiddlewaretoken": token},
                              headers={"Referer": HOSTS[0] + "/accounts/login/"}, catch_response=True) as r:
            if "退出" not in r.text and "工作台" not in r.text and "驾驶舱" not in r.text:
                r.failure(f"登录失败 {r.status_code}")

    def page(self, path, name):
        with self.client.get(self.url(path), name=name, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")


class TownshipStaff(Person):
    """乡镇工作人员: queues and ledgers of their township."""
    weight = 40
    role = "township"

    @task(4)
    def queue(self):
        self.page("/services/", "代办队列")

    @task(2)
    def all_cases(self):
        self.page(f"/services/?tab=all&page={random.randint(1, 5)}", "全部代办件")

    @task(3)
    def assets(self):
        self.page("/assets/", "资产台账")

    @task(1)
    def workbench(self):
        self.page("/", "工作台")

    @task(2)
    def start_a_forwarded_case(self):
        # 后台办理: take the first forwarded case of the queue, with the version seen (409 if someone was first)
        r = self.client.get(self.url("/api/v1/service-cases/?tab=todo&status=forwarded"), name="API 待办件",
                            headers={"Authorization": f"Token {self.me['token']}"})
        results = r.json().get("results", []) if r.status_code == 200 else []
        if not results:
            return
        case = random.choice(results[:5])
        with self.client.post(self.url(f"/api/v1/service-cases/{case['id']}/transition/"), name="API 开始办理",
                              json={"action": "start", "version": case["version"]},
                              headers={"Authorization": f"Token {self.me['token']}"}, catch_response=True) as r:
            if r.status_code == 200:
                LEDGER["applied"].append(case["id"])
            elif r.status_code in (400, 409):  # another person started it first: refused, not a fault
                LEDGER["conflicts"] += 1
                r.success()
            else:
                r.failure(f"HTTP {r.status_code}")


class VillageAgent(Person):
    """村代办员: takes residents' requests at the village window."""
    weight = 25
    role = "agent"

    @task(3)
    def queue(self):
        self.page("/services/", "代办队列")

    @task(2)
    def take_a_case(self):
        body = {"village": self.me["village"], "item": random.choice(self.me["items"]), "resident_name": "压测居民",
                "resident_id_number": ID_NUMBER, "resident_phone": "13912345678", "materials": []}
        with self.client.post(self.url("/api/v1/service-cases/"), name="API 受理代办件", json=body,
                              headers={"Authorization": f"Token {self.me['token']}"}, catch_response=True) as r:
            if r.status_code == 201:
                LEDGER["created"].append(r.json()["id"])
            else:
                r.failure(f"HTTP {r.status_code}: {r.text[:80]}")


class CountyOffice(Person):
    """县改革办 and departments: the dashboard and statistics."""
    weight = 15
    role = "county"

    @task(2)
    def dashboard(self):
        self.page("/", "改革驾驶舱")

    @task(2)
    def measures(self):
        self.page("/services/measures/", "办件统计")

    @task(2)
    def asset_stats(self):
        self.page("/assets/stats/", "资产统计")

    @task(1)
    def divisions(self):
        self.page("/divisions/", "区划单位")


class ApiClient(HttpUser):
    """A province system reading through the API with a token."""
    weight = 20
    wait_time = between(*THINK)
    host = HOSTS[0]

    def on_start(self):
        self.me = pick("api")
        self.headers = {"Authorization": f"Token {self.me['token']}"}
        first = self.client.get(HOSTS[0] + "/api/v1/assets/", name="API 资产列表", headers=self.headers)
        count = first.json().get("count", 0) if first.status_code == 200 else 0
        self.asset_pages = max(1, -(-count // 50))  # the pages this user's jurisdiction has

    def get(self, path, name):
        with self.client.get(random.choice(HOSTS) + path, name=name, headers=self.headers, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}")

    @task(3)
    def assets(self):
        self.get(f"/api/v1/assets/?page={random.randint(1, min(self.asset_pages, 200))}", "API 资产列表")

    @task(2)
    def cases(self):
        self.get("/api/v1/service-cases/?tab=all", "API 代办件列表")

    @task(1)
    def divisions(self):
        self.get("/api/v1/divisions/?level=4", "API 区划列表")


@events.test_stop.add_listener
def write_ledger(environment, **kwargs):
    out = os.environ.get("LOAD_OUT")
    if out:
        with open(f"{out}.{os.getpid()}.json", "w", encoding="utf-8") as f:
            json.dump(LEDGER, f)
