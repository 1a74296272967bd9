from chatui.cli import main

raise SystemExit(main())
