from relaydesk.cli.main import main

raise SystemExit(main())
