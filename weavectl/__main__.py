from weavectl.cli import main

main()
