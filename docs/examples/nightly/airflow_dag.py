"""Airflow: the nightly journey-mining run, through the same CLI as cron and systemd.

The task fails on any non-zero exit code (1 failed, 2 bad config, 3 warnings under
--strict, 4 another run holds the warehouse); Airflow retries it (a busy warehouse is
usually free twenty minutes later) and mails on the final failure. The run record (JSON)
goes to the task log.
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.operators.bash import BashOperator

JM_HOME = "/srv/journey-mining"

with DAG(
    dag_id="journey_mining_nightly",
    schedule="15 2 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=20),
        "email": ["data-team@example.com"],
        "email_on_failure": True,
    },
) as dag:
    run = BashOperator(
        task_id="run_pipeline",
        bash_command=(
            f"cd {JM_HOME} && .venv/bin/journey-mining run pipelines/nightly.yaml --strict --json"
        ),
    )
