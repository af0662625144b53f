"""The ``claimmap`` command: a thin shell over :func:`geo.check.check` and :mod:`layers`."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import NoReturn

from . import __version__, data
from .errors import ClaimmapError, DataError, InputError
from .errors import printable as _shown

EXIT_BAD_INPUT = 2  # also argparse's status for a bad command line
EXIT_NO_DATA = 3  # reference data missing, damaged or not downloadable


class _Parser(argparse.ArgumentParser):
    """argparse, with a malformed command line reported as one line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"claimmap: error: {_shown(message)} (see `{self.prog} --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="claimmap", description="Whose territorial claims does this place touch?",
        epilog=f"exit status: 0 done, {EXIT_BAD_INPUT} bad input, {EXIT_NO_DATA} reference data missing or damaged",
    )
    parser.add_argument("--version", action="version", version=f"claimmap {__version__}")
    _data_options(parser, None)
    commands = parser.add_subparsers(dest="command", required=True)
    # The same options after the subcommand; SUPPRESS keeps them from resetting a value given before it.
    common = _Parser(add_help=False)
    _data_options(common, argparse.SUPPRESS)

    check = commands.add_parser("check", parents=[common], help="geocode sites and report the claims they touch")
    check.add_argument("names", nargs="*", metavar="NAME",
                       help="place name, 'Name, Country', 'NAME@LAT,LON' or 'LAT,LON'")
    check.add_argument("-i", "--input", help="sites file: CSV (name[,lat,lon,country,radius_km]), GeoJSON, GeoPackage, "
                       "FlatGeobuf, Shapefile, KML or GeoParquet (file or dataset folder); '-' reads stdin")
    check.add_argument("-o", "--out", help="folder for the sites and regions layers and map.html; '-' writes the "
                       "sites layer to stdout (one text format: geojson or csv)")
    check.add_argument("--format", action="append", type=_formats, metavar="F[,F...]",
                       help="layer formats: geojson, gpkg, fgb, parquet, csv, shp (default: geojson,csv); repeatable")
    check.add_argument("--on-error", choices=["fail", "skip"], default="fail",
                       help="a bad row stops the run (fail, default) or is skipped and listed in errors.csv (skip)")
    check.add_argument("--engine", choices=["local", "dask"], default="local",
                       help="dask: annotate a GeoParquet input partition by partition on a dask cluster")
    check.add_argument("--scheduler", metavar="ADDRESS",
                       help="dask scheduler to use (e.g. tcp://10.0.0.5:8786); default: a local cluster")
    check.add_argument("--workers", type=int, default=2, help="workers of the local dask cluster (default: 2)")
    check.add_argument("--progress", action="store_true", help="show a progress bar even when stderr is not a terminal")
    check.add_argument("-q", "--quiet", action="store_true", help="print no report and no attribution, only errors")
    check.add_argument("--country", help="country hint for every name (ISO2, ISO3 or English name)")
    check.add_argument("--first", action="store_true", help="take the best match of an ambiguous name")
    check.add_argument("--online", action="store_true", help="also ask Nominatim (OpenStreetMap), 1 request/s")
    check.add_argument("--geonames-country", action="append", default=[], metavar="ISO2",
                       help="add a GeoNames country dump (e.g. PK) to the gazetteer; repeatable")
    _map_options(check)
    _as_of_option(check)
    check.add_argument("--no-map", action="store_true", help="do not write map.html")

    render = commands.add_parser("map", parents=[common], help="render a sites layer (GeoJSON/CSV) as an HTML map")
    render.add_argument("sites", type=Path, help="sites.geojson written by claimmap, or any points layer")
    render.add_argument("-o", "--out", type=Path, default=Path("map.html"), help="HTML file (default: map.html)")
    _map_options(render)
    _as_of_option(render)

    read = commands.add_parser("read", parents=[common],
                               help="find the places a news article names and report their claims")
    read.add_argument("article", nargs="?", help="article as .txt or .html, or - for stdin")
    read.add_argument("--jsonl", metavar="DOCS", help="JSON Lines of {\"id\", \"text\"}: print each one's mentions "
                      "as a JSON line (- for stdin)")
    read.add_argument("--on-error", choices=["stop", "skip"], default="stop",
                      help="with --jsonl: stop at a malformed line (default) or skip it")
    read.add_argument("-o", "--out", type=Path, help="folder for sites.geojson, regions.geojson, sites.csv, map.html")
    read.add_argument("--as-of", metavar="YYYY-MM-DD", help="the claims as they stood on this date (default: the "
                      "article's date from its HTML metadata, else today); see `claimmap data`")
    _map_options(read)
    read.add_argument("--no-map", action="store_true", help="do not write map.html")

    about = commands.add_parser("data", parents=[common],
                                help="show where reference data comes from, versions and licences")
    about.add_argument("--verify", action="store_true",
                       help="check every data file against its pinned sha256 now, and report")
    return parser


def _formats(text: str) -> list[str]:
    from layers.formats import FORMATS

    keys = [k.strip().lower() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in FORMATS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    return keys


def _data_options(parser: argparse.ArgumentParser, default: str | None) -> None:
    parser.add_argument("--data-dir", type=Path, default=default,
                        help=f"offline data folder (default: ${data.ENV_DATA_DIR}, else a per-user cache "
                        "filled from the official sources)")
    parser.add_argument("--accept-unknown-data", action="store_true",
                        default=False if default is None else default,
                        help="use data files that match no pinned version (they must still be well formed; "
                        f"outputs name them as unverified); also ${data.ENV_ACCEPT_UNKNOWN}=1")


def _map_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--all-regions", action="store_true", help="draw every disputed region, not only nearby ones")
    parser.add_argument("--self-contained", action="store_true",
                        help="kept for old scripts: every map is self-contained (works offline) by default")
    parser.add_argument("--cdn", action="store_true",
                        help="load Leaflet from its CDN: a smaller map.html that needs the network to open")


def _as_of_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as-of", metavar="YYYY-MM-DD",
                        help="the claims as they stood on this date (default: today); see `claimmap data`")


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"claimmap: warning: {_shown(message)}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    with warnings.catch_warnings():
        warnings.showwarning = _one_line_warning  # e.g. Nominatim unreachable: the run goes on offline
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    try:
        with data.configured(args.data_dir, args.accept_unknown_data or None):
            return {"check": _check, "map": _map, "read": _read, "data": _data}[args.command](args)
    except ClaimmapError as exc:
        print(f"claimmap: error: {_shown(exc)}", file=sys.stderr)
        return EXIT_NO_DATA if isinstance(exc, DataError) else EXIT_BAD_INPUT
    except OSError as exc:  # an output folder that cannot be written, a disk that is full
        print(f"claimmap: error: {_shown(exc.filename or '')}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _check(args: argparse.Namespace) -> int:
    from layers.publish import DEFAULT_FORMATS, publish
    from layers.table import format_report

    from .check import check_chunks
    from .errata import parse_as_of
    from .progress import Summary, progress, wanted

    if not args.names and args.input is None:
        raise ClaimmapError("give at least one place name or --input FILE")
    formats = [k for group in args.format or [DEFAULT_FORMATS] for k in group]
    errors: list[dict] | None = [] if args.on_error == "skip" else None
    to_stdout = args.out == "-"
    if to_stdout and (len(formats) != 1 or formats[0] not in ("geojson", "csv")):
        raise ClaimmapError("-o - writes one text format to stdout: add --format geojson or --format csv")
    for text in [*args.names, args.country or "", *args.geonames_country]:
        _check_text(text)
    as_of = parse_as_of(args.as_of) if args.as_of is not None else None
    summary = Summary()
    if args.engine == "dask":
        from .distributed import check_dask

        if args.names:
            raise ClaimmapError("--engine dask annotates an --input GeoParquet; give place names without it")
        written = check_dask(args.input, args.out, scheduler=args.scheduler, workers=args.workers,
                             summary=summary, errors=errors, as_of=as_of)
    else:
        bars = wanted(args.progress, args.quiet)
        chunks = check_chunks(args.names, input_path=args.input, country=args.country, first=args.first,
                              online=args.online, country_dumps=args.geonames_country, as_of=as_of, errors=errors,
                              progress=bars)
        chunks = progress(summary.watch(chunks), enabled=bars and args.input is not None)
        written = []
        if to_stdout:
            from layers.formats import write_layer
            from layers.vector import SITE_PROPERTIES, with_names

            sys.stdout.flush()
            target = sys.stdout if formats[0] == "csv" else "/vsistdout/"
            write_layer(map(with_names, chunks), target, formats[0], "sites", SITE_PROPERTIES, "Point")
        elif args.out is not None:
            written = publish(chunks, args.out, html_map=not args.no_map, all_regions=args.all_regions,
                              cdn=args.cdn, formats=formats, errors=errors)
        else:
            for _ in chunks:
                pass
    report = sys.stderr if to_stdout else sys.stdout
    if not args.quiet:
        print(format_report(summary.head, summary.counts), file=report)
        if len(summary.head):
            print(f"claims as of {summary.head['as_of'].iat[0]}: Natural Earth 5.1.1 with the dated errata "
                  "(`claimmap data`)", file=report)
        if written:
            print("wrote " + ", ".join(str(p) for p in written), file=report)
    if errors:
        where = f" (listed in {Path(args.out) / 'errors.csv'})" if args.out not in (None, "-") else ""
        print(f"claimmap: warning: skipped {len(errors):,} bad rows{where}; first: {errors[0]['reason']}",
              file=sys.stderr)
    if not args.quiet:
        print(data.ATTRIBUTION, file=sys.stderr)
    return 0


def _check_text(text: str) -> None:
    """Bytes that were not UTF-8 reach argv as lone surrogates, which no later stage can encode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{text!r} is not valid UTF-8 text (undecodable bytes on the command line)") from None


def _map(args: argparse.Namespace) -> int:
    from layers.htmlmap import write_map

    from .check import check
    from .errata import parse_as_of

    as_of = parse_as_of(args.as_of) if args.as_of is not None else None
    annotated = check(input_path=args.sites, as_of=as_of)
    path = write_map(annotated, args.out, all_regions=args.all_regions, cdn=args.cdn)
    print(f"wrote {path}")
    return 0


def _read(args: argparse.Namespace) -> int:
    import json

    from layers.publish import publish
    from layers.table import format_report

    from .errata import parse_as_of
    from .read import read_article, read_jsonl

    if (args.article is None) == (args.jsonl is None):
        raise ClaimmapError("give one ARTICLE (.txt, .html or -) or --jsonl DOCS")
    if args.jsonl is not None:
        if args.out is not None or args.as_of is not None:
            raise ClaimmapError("--jsonl prints one JSON line of mentions per document; -o and --as-of are for "
                                "one ARTICLE")
        records = list(read_jsonl(args.jsonl, on_error="skip" if args.on_error == "skip" else "raise"))
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        return 0
    annotated = read_article(args.article, as_of=parse_as_of(args.as_of) if args.as_of is not None else None)
    origin = {"as-of": "--as-of", "article": "article date", "today": "today, the default"}
    if args.out is not None:
        written = publish(annotated, args.out, html_map=not args.no_map, all_regions=args.all_regions,
                          cdn=args.cdn)
    print(format_report(annotated))
    print(f"claims as of {annotated['as_of'].iat[0]} ({origin[annotated.attrs['as_of_origin']]}): "
          "Natural Earth 5.1.1 with the dated errata (`claimmap data`)")
    if args.out is not None:
        print("wrote " + ", ".join(str(p) for p in written))
    print(data.ATTRIBUTION, file=sys.stderr)
    return 0


def _data(args: argparse.Namespace) -> int:
    from . import errata

    if args.verify:
        report = data.verify_all()
        for key, found, ok in report:
            print(f"{key}: {'ok' if ok else 'FAILED'}: {found}")
        return 0 if all(ok for _, _, ok in report) else EXIT_NO_DATA
    for row in data.describe():
        print(f"{row['key']}: {row['path']} ({row['origin']})")
        print(f"    {row['url']}  version {row['version']}  licence {row['licence']}")
        for extra in ("sha256", "downloaded"):
            if extra in row:
                print(f"    {extra}: {row[extra]}")
    print("\n".join(errata.describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
