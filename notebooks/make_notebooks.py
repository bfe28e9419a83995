"""Write the analysis notebooks (run: .venv/bin/python notebooks/make_notebooks.py)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = """import os
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib_fontja  # IPAexGothic ships inside the package: Japanese labels on any machine
from IPython.display import Image, display
from matplotlib.ticker import MaxNLocator

matplotlib_fontja.japanize()
DB = Path(os.environ.get("SHINGIKAI_DB", "data/warehouse/shingikai.ducklake"))
if not DB.is_absolute() and not DB.exists() and (Path.cwd().parent / DB).exists():
    DB = Path.cwd().parent / DB  # run from notebooks/
# figures go to notebooks/figures/ (git-ignored), whether run from the repository or notebooks/
OUT = Path(os.environ.get("SHINGIKAI_FIGURES") or ("notebooks/figures" if Path("notebooks").is_dir() else "figures"))
OUT.mkdir(parents=True, exist_ok=True)
from shingikai.warehouse import connect_readonly

con = connect_readonly(DB)  # the latest snapshot of the lake, read-only; ingest may write meanwhile
print("warehouse:", DB)

def no_data(ax, what):  # an empty plot says so, instead of bare axes from -0.04 to 0.04
    ax.set_axis_off()
    ax.text(0.5, 0.5, f"no data: {what}", ha="center", va="center", transform=ax.transAxes)
    print(f"no data: {what}")

def whole_numbers(axis):  # counts in whole numbers (no half a consultation)
    axis.set_major_locator(MaxNLocator(integer=True))

def save_and_show(fig, name):
    path = OUT / name
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    display(Image(filename=str(path)))
    return path"""

NOTEBOOKS = {
    "overview.ipynb": [
        new_markdown_cell(
            "# What personal data goes to whom, by city and year\n\nReads the warehouse (env `SHINGIKAI_DB`) read-only and uses the views of `models/views.sql`."
        ),
        new_code_cell(SETUP),
        new_code_cell(
            'con.sql("SELECT meeting_municipality AS municipality, year, count(*) AS consultations FROM consultations_with_meeting GROUP BY ALL ORDER BY 1, 2").df()'
        ),
        new_code_cell("""flows = con.sql('''
    SELECT c.meeting_municipality AS municipality, c.year, ct.name_normalized AS recipient, ct.kind,
           list(DISTINCT d.item_normalized ORDER BY d.item_normalized) AS items
    FROM consultations_with_meeting c
    JOIN contractors ct USING (consultation_id)
    LEFT JOIN data_items d USING (consultation_id)
    GROUP BY ALL ORDER BY municipality, year, recipient''').df()
flows"""),
        new_code_cell("""by = con.sql('''
    SELECT municipality, category, sum(n_mentions) AS n FROM item_frequency
    WHERE municipality IS NOT NULL GROUP BY ALL''').df()
pivot = by.pivot_table(index="municipality", columns="category", values="n", fill_value=0)
fig, ax = plt.subplots(figsize=(9, 5))
if len(pivot):
    pivot.plot.barh(stacked=True, ax=ax)
    whole_numbers(ax.xaxis)
else:
    no_data(ax, "no data items in the warehouse yet")
ax.set_title("Personal-data items by municipality and category")
ax.set_xlabel("mentions")
ax.set_ylabel("市区町村")
save_and_show(fig, "overview_items_by_municipality.png")"""),
        new_code_cell("""yr = con.sql("SELECT year, count(*) AS n FROM consultations_with_meeting WHERE year IS NOT NULL GROUP BY 1 ORDER BY 1").df()
fig, ax = plt.subplots(figsize=(8, 3))
if len(yr):
    ax.bar(yr["year"].astype(str), yr["n"])
    whole_numbers(ax.yaxis)
else:
    no_data(ax, "no consultation with a year yet")
ax.set_title("Consultations per year")
ax.set_xlabel("year")
ax.set_ylabel("諮問の件数")
save_and_show(fig, "overview_consultations_per_year.png")"""),
    ],
    "contractors.ipynb": [
        new_markdown_cell(
            "# Contractors\n\nWhich contractors hold personal data for more than one municipality, and which items."
        ),
        new_code_cell(SETUP),
        new_code_cell("""multi = con.sql('''
    SELECT name_normalized, kind, n_municipalities, municipalities, n_consultations, n_data_items, data_items
    FROM contractors_multi_municipality
    ORDER BY n_municipalities DESC, n_data_items DESC''').df()
multi"""),
        new_code_cell("""top = con.sql('''
    SELECT ct.name_normalized, count(DISTINCT ct.consultation_id) AS consultations,
           count(DISTINCT c.meeting_municipality) AS municipalities
    FROM contractors ct JOIN consultations_with_meeting c USING (consultation_id)
    WHERE ct.kind <> 'unnamed'
    GROUP BY 1 ORDER BY consultations DESC, 1 LIMIT 20''').df()
fig, ax = plt.subplots(figsize=(9, max(3, 0.35 * len(top) + 1)))
if len(top):
    ax.barh(top["name_normalized"][::-1], top["consultations"][::-1])
    whole_numbers(ax.xaxis)
else:
    no_data(ax, "no named contractor yet")
ax.set_title("Consultations per contractor (top 20)")
ax.set_xlabel("諮問の件数")
save_and_show(fig, "contractors_top.png")"""),
        new_code_cell(
            'con.sql("SELECT kind, count(*) AS n, count(DISTINCT name_normalized) AS names FROM contractors GROUP BY 1 ORDER BY 2 DESC").df()'
        ),
    ],
    "incidents_outcomes.ipynb": [
        new_markdown_cell(
            "# Incidents and outcomes\n\nWhat councils approve, attach conditions to or defer; reported incidents."
        ),
        new_code_cell(SETUP),
        new_code_cell(
            "outcomes = con.sql('SELECT * FROM outcomes_by_municipality_year').df()\noutcomes"
        ),
        new_code_cell("""pivot = outcomes.pivot_table(index="municipality", columns="outcome", values="n_consultations", aggfunc="sum", fill_value=0)
cond = outcomes.groupby("municipality")["with_conditions"].sum()
fig, ax = plt.subplots(figsize=(9, 5))
if len(pivot):
    pivot.plot.bar(stacked=True, ax=ax, rot=0)  # Japanese names read across, not down
    ax.plot(range(len(cond)), cond.reindex(pivot.index).values, "ko", label="with conditions")
    ax.legend()
    whole_numbers(ax.yaxis)
else:
    no_data(ax, "no consultation with an outcome yet")
ax.set_title("Outcomes by municipality (dots: with conditions)")
ax.set_xlabel("市区町村")
ax.set_ylabel("諮問の件数")
save_and_show(fig, "outcomes_by_municipality.png")"""),
        new_code_cell("""inc = con.sql("SELECT municipality, year, incident_type, title, held_on, source_path FROM incidents").df()
per_year = inc.pivot_table(index="year", columns="incident_type", values="title", aggfunc="count", fill_value=0) if len(inc) else None
fig, ax = plt.subplots(figsize=(8, 3))
if per_year is not None and len(per_year):
    per_year.plot.bar(stacked=True, ax=ax, rot=0)
    whole_numbers(ax.yaxis)
else:
    no_data(ax, "no incident reported yet")
ax.set_title("Reported incidents per year, by type")
ax.set_xlabel("year")
ax.set_ylabel("件数")
save_and_show(fig, "incidents_per_year.png")
inc"""),
    ],
}


def main() -> None:
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(
            cells=cells,
            metadata={
                "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                "language_info": {"name": "python"},
            },
        )
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()
