from mining.cli import main

main()
