"""Check endpoints with requests."""

import requests


def check(url, timeout=5.0):
    try:
        response = requests.get(url, timeout=timeout)
    except requests.RequestException as error:
        return {"url": url, "up": False, "error": str(error)}
    return {"url": url, "up": response.ok, "status": response.status_code}
