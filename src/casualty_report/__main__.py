from casualty_report.cli import main

raise SystemExit(main())
