import PaytopCLI

PaytopCommand.main()
