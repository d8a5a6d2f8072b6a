"""The Hama high-ground demonstration: lines of sight and viewsheds from the hills north of the city."""

from __future__ import annotations

from pathlib import Path

from .dem import load_dem
from .los import line_of_sight
from .samples import HAMA_BOUNDS, SYNTHETIC_LABEL, hama_dem_paths
from .viewshed import viewshed, viewshed_summary

HILLS = ("Zayn al-Abidin", "Jabal Kafra")
CITY = "Hama"
RADIUS_M = 15_000.0


def _slug(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


def run_demo(out_dir: str | Path | None = "terrain-demo", observer_height: float = 2.0, echo=print) -> dict:
    """Run the Hama case and print a readable summary; return the numbers as a dict.

    Parameters
    ----------
    out_dir : path or None
        Folder for figures; None writes nothing.
    observer_height : float
        Eye height above each summit, metres.
    echo : callable
        Where the summary lines go.
    """
    paths, synthetic = hama_dem_paths()
    dem = load_dem(paths, bounds=HAMA_BOUNDS)
    label = SYNTHETIC_LABEL if synthetic else dem.attrs.get("source", "SRTM")
    echo(f"Hama high ground — data: {label}")
    echo(f"  DEM: {', '.join(str(p) for p in paths)} ({dem.shape[0]} x {dem.shape[1]} cells)")
    if synthetic:
        echo("  (run `terrain fetch --area hama` on a networked machine to use real SRTM instead)")
    results = {"source": label, "synthetic": synthetic, "lines_of_sight": [], "viewsheds": []}
    out = Path(out_dir) if out_dir is not None else None
    for hill in HILLS:
        los = line_of_sight(dem, hill, CITY, observer_height=observer_height, target_height=0.0)
        echo("")
        echo(los.summary())
        entry = los.to_dict()
        if out is not None:
            from .plot import plot_profile, save_figure

            png = out / f"los_{_slug(hill)}_to_hama.png"
            save_figure(plot_profile(los, source=f"Data: {label}").figure, png)
            entry["plot"] = str(png)
            echo(f"  profile: {png}")
        results["lines_of_sight"].append(entry)

    echo("")
    echo(f"Viewsheds ({observer_height:g} m eye, {RADIUS_M / 1000:g} km radius):")
    for hill in HILLS:
        vs = viewshed(dem, hill, observer_height=observer_height, max_distance=RADIUS_M)
        s = viewshed_summary(vs)
        echo(f"  {hill:<16} sees {s['visible_km2']:7.1f} km² of {s['analysed_km2']:.1f} km² "
             f"({s['visible_percent']:.1f} %), method {s['method']}")
        entry = {"observer": hill, **s}
        if out is not None:
            from .plot import plot_viewshed, save_figure

            png = out / f"viewshed_{_slug(hill)}.png"
            save_figure(plot_viewshed(vs, dem=dem).figure, png)
            entry["plot"] = str(png)
            echo(f"  {'':<16} map: {png}")
        results["viewsheds"].append(entry)
    return results
