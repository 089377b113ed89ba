from voxloop.cli import main

main()
