import PaytopCLI
PaytopCommand.main()
